import Foundation
import LedgerCommandLine

exit(LedgerCommand.main())
