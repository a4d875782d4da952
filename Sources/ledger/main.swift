import Foundation
import LedgerCommandLine

exit(LedgerCommand.main(Array(CommandLine.arguments.dropFirst())))
