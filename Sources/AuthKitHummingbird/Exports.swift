// Built only with the `Hummingbird` trait; without it this module is empty and nothing of Hummingbird is compiled.
#if Hummingbird
@_exported public import AuthKit
#endif
