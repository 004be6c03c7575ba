/// Byte-buffer access whose closures throw ``JWTError`` with the type preserved (the standard library's
/// `withUnsafeBytes` only rethrows `any Error`).
extension Array where Element == UInt8 {
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws(JWTError) -> Result) throws(JWTError) -> Result {
        let outcome = withUnsafeBytes { buffer -> Swift.Result<Result, JWTError> in
            do throws(JWTError) {
                return .success(try body(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
