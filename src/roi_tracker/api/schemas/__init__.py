"""The JSON API's request and response shapes by capability: they validate the traffic and generate the
OpenAPI document."""
