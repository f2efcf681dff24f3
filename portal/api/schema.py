"""The OpenAPI schema (drf-spectacular): every error an operation can give, as a Problem."""

from drf_spectacular.openapi import AutoSchema

from portal.api.base import GAEJOSIK_NODE, ProblemSerializer

ERROR_RESPONSES = {
    "400": "요청 값이 잘못되었습니다(어디가 왜 잘못되었는지 errors에 있습니다).",
    "401": "로그인이 필요하거나 토큰이 올바르지 않습니다.",
    "403": "이 계정으로는 할 수 없습니다(까닭이 detail에 있습니다).",
    "404": "찾는 자료가 없거나 볼 수 없는 자료입니다.",
    "405": "이 주소에서 쓸 수 없는 방식입니다.",
    "406": "요청한 형식(Accept, format)으로 답할 수 없습니다.",
    "415": "본문은 JSON(application/json)이어야 합니다.",
    "429": "요청이 너무 많습니다. 잠시 뒤에 다시 시도하세요.",
}
WRITE_ERROR_RESPONSES = {
    "409": "그사이 다른 사람이 고쳐 저장했습니다(수정 차례 revision이 다릅니다)."
}


class Schema(AutoSchema):
    """drf-spectacular's schema with the Problem body for every error an operation can give."""

    def get_tags(self) -> list[str]:
        return [_tag(self.path)]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.update(WRITE_ERROR_RESPONSES)
        else:
            codes.pop("415")
        for code, description in codes.items():
            if code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, code, ["application/json"]
                )
                response["description"] = description
                responses[code] = response
        return responses


def add_shared_components(result, generator, request, public):
    """The recursive 개조식 node, which serializers cannot describe, as a named component; the
    ways to sign in, in Korean."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["GaejosikNode"] = GAEJOSIK_NODE
    schemes = components.get("securitySchemes", {})
    for name, description in SIGN_IN.items():
        if name in schemes:
            schemes[name]["description"] = description
    return result


SIGN_IN = {
    "tokenAuth": "직원 API 토큰: 머리글 `Authorization: Token <키>`. 관리자가 관리 화면의 ‘API 토큰’에서 "
    "발급하며 키는 발급할 때 한 번만 보입니다(위 Authorize에 `Token <키>`를 그대로 넣습니다).",
    "cookieAuth": "포털에 로그인한 브라우저 세션. 쓰기 요청에는 CSRF 토큰(X-CSRFToken)이 필요합니다.",
}


# Korean tags, in the order the docs page lists them.
TAGS = {
    "sessions": "회기",
    "bureaus": "조직",
    "departments": "조직",
    "reports": "부서 보고서",
    "versions": "공개판",
    "staffing": "공개 인력 현황",
    "budget-lines": "공개 예산 현황",
    "cards": "공개 사업 카드",
    "staff/reports": "직원: 부서 보고서",
    "staff/sections": "직원: 보고 단원",
    "staff/cards": "직원: 사업 카드",
    "staff/budget-lines": "직원: 예산 사업",
    "staff/staffing": "직원: 인력 현황",
}


def _tag(path: str) -> str:
    parts = path.removeprefix("/api/v1/").strip("/").split("/")
    key = "/".join(parts[:2]) if parts[0] == "staff" else parts[0]
    return TAGS.get(key, key)
