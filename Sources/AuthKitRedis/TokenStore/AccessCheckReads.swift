/// How a ``RedisTokenStore`` reads the records of an access check that does not touch the session.
///
/// Applications always get ``keys``; the conformance suites run the store in every mode, so that each way of reading
/// is held to the same contract.
enum AccessCheckReads: Sendable {
    /// One `MGET` of the check keys, and the full records only for a session without its key (the default).
    case keys
    /// The full records, in one pipeline (what the default falls back to).
    case records
    /// The check script, as a check that touches the session runs it.
    case script
}
