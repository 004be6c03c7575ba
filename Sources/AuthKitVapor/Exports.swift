// Built only with the `Vapor` trait; without it this module is empty and nothing of Vapor is compiled.
#if Vapor
@_exported public import AuthKit
#endif
