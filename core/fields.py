"""A model field that stores 개조식 text as its parsed structure and edits it as text."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core import gaejosik
from core.json_any_depth import AnyDepthDecoder, AnyDepthEncoder


class GaejosikFormField(forms.CharField):
    """A textarea that accepts □ ○ - · ※ text as staff write it; cleans to nodes."""

    widget = forms.Textarea(attrs={"rows": 8, "class": "gaejosik", "spellcheck": "false"})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return gaejosik.to_text(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if isinstance(text, list):
            return text
        try:
            return gaejosik.parse(text or "")
        except gaejosik.GaejosikError as error:
            raise ValidationError(str(error), code="gaejosik") from error

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


class GaejosikField(models.JSONField):
    """Nested 개조식 nodes (see core/gaejosik.py) kept as JSON.

    Input is at most gaejosik.MAX_DEPTH levels deep; a row stored deeper some other way
    still loads and saves (core/json_any_depth.py).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("encoder", AnyDepthEncoder)
        kwargs.setdefault("decoder", AnyDepthDecoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("encoder") is AnyDepthEncoder:
            del kwargs["encoder"]
        if kwargs.get("decoder") is AnyDepthDecoder:
            del kwargs["decoder"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return models.Field.formfield(self, form_class=GaejosikFormField, **kwargs)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError("개조식 내용의 형식이 올바르지 않습니다.", code="invalid")
