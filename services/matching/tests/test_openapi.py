from services.matching.app import create_app


class TestOpenApi:
    def test_every_operation_is_documented(self) -> None:
        document = create_app().openapi()
        operations = [
            (path, method, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
        ]
        assert {
            "/providers",
            "/solutions",
            "/enterprises/{uscc}/matches",
            "/engagements",
            "/activities",
        } <= set(document["paths"])
        assert [(p, m) for p, m, o in operations if not o.get("summary")] == []
