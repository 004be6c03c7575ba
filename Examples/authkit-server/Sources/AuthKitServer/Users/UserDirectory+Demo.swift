import PermissionCache

extension UserDirectory {
    /// The two demo accounts: `alice` / `alice-password` with `admin:*` and `orders:*`, and `bob` /
    /// `bob-password` with `orders:read`.
    ///
    /// Only bcrypt hashes are kept, as a real user table would; the passwords appear in documentation only.
    public static let demo = UserDirectory(
        [
            User(
                username: "alice",
                passwordHash: "$2b$10$sSvCJn7ztOF5xp8EADWUd.yRrVChB9jXEUe7GQ2QBB6OnYQ0YiOPO",
                permissions: ["admin:*", "orders:*"]
            ),
            User(
                username: "bob",
                passwordHash: "$2b$10$Jb3LmD8eeuEt3G0ebldz/OdV7dHjYQJDJK4b.vvAnlOql7LSNkoc.",
                permissions: ["orders:read"]
            ),
        ],
        decoyHash: "$2b$10$MLxnc8mmBjvaHr4tSJ9Mxe6Sy3QsA2.5Ienss9TyCSklPSrsjrQXe"
    )
}
