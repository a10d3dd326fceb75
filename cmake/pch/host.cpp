// Compiles nothing of its own: the target exists to build the precompiled
// header the others reuse (cmake/precompiled_headers.cmake).
