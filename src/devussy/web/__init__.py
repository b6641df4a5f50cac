"""What the serverless handlers in ``api/`` share: the route table, the endpoints (``endpoints``: the
shared checks and the JSON endpoints; ``streams``: the stage endpoints), CORS, auth, body parsing
and validation, JSON error responses, the SSE sink (``APIStreamingHandler``), the OpenAPI document
and the local dev server.

Each ``api/`` file imports only its endpoint's module, so a cold start only pays for what it uses.
"""
