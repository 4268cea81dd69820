"""The HTTP app: one module per API area, the edges every request passes, and the OpenAPI text.

`app.build_app` is called once, by the composition root, with each dependency by name.
"""
