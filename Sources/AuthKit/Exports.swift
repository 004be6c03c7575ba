// `import AuthKit` is all an application needs: the facade's signatures use these modules' types.
@_exported public import AuthKitClock
@_exported public import JWTCore
@_exported public import PermissionCache
@_exported public import RateLimiter
@_exported public import TokenStore
