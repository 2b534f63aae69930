"""The served OpenAPI document describes the contract's endpoints."""


def test_the_openapi_document_is_served_without_a_token(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    paths = answer.json["paths"]
    for path in ("/api/v1/auth/tokens", "/api/v1/me", "/api/v1/users", "/api/v1/customers", "/api/v1/parts",
                 "/api/v1/stock-locations", "/api/v1/stock/receipts", "/api/v1/stock"):
        assert path in paths, path
    part = answer.json["components"]["schemas"]["Part"]["properties"]
    assert part["unit_price"]["type"] == "string"
