/// Exit status of the `ledger` command.
///
/// Values from 64 on follow the BSD `sysexits.h` convention, so scripts can tell a bad command
/// line from bad data or a storage failure.
enum ExitCode: Int32, Sendable, CaseIterable {
    /// The command completed.
    case success = 0
    /// The command failed for a reason that no more specific code covers.
    case failure = 1
    /// The command line is invalid: an unknown option, a missing argument or a malformed
    /// value (`EX_USAGE`).
    case usage = 64
    /// The input data is invalid, or a business rule rejected the change (`EX_DATAERR`).
    case dataError = 65
    /// The named customer, event or input file does not exist (`EX_NOINPUT`).
    case notFound = 66
    /// The program hit an internal error, a bug in `ledger` itself (`EX_SOFTWARE`).
    case `internal` = 70
    /// Reading or writing the ledger storage or another file failed (`EX_IOERR`).
    case ioError = 74
    /// Another writer changed the ledger since it was read (optimistic concurrency conflict), or
    /// another process has the ledger open when `compact` needs it alone. Retrying the command
    /// can succeed (`EX_TEMPFAIL`).
    case conflict = 75
    /// The master key is missing, wrong or in an unsafe file, or the role may not run the
    /// command (`EX_NOPERM`).
    case permission = 77
}
