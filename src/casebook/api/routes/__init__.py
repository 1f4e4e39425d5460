"""The API's routes, one module per resource; each builds its router from the shared state."""
