import GRDB
import GRDBSQLite

/// Binds and steps a prepared statement through SQLite's C API.
///
/// The recorder writes tens of thousands of rows per run; GRDB's `StatementArguments` allocate for every row
/// (an array of existentials), which cost about as much as SQLite itself. This binds in place.
struct RawStatement {
    private let handle: OpaquePointer
    private let db: Database
    private var index: Int32 = 0

    /// SQLite copies text and blobs bound with this destructor, so the Swift buffers may go right away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement, in db: Database) {
        handle = statement.sqliteStatement
        self.db = db
    }

    /// Starts a new row: resets the statement; bind its values in order next.
    mutating func begin() {
        sqlite3_reset(handle)
        index = 0
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    mutating func bind(_ value: Double?) {
        index += 1
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard let value else { sqlite3_bind_null(handle, index); return }
        var text = value
        text.withUTF8 { buffer in
            _ = sqlite3_bind_text(handle, index, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                  Int32(buffer.count), RawStatement.transient)
        }
    }

    mutating func bind(_ bytes: [UInt8]) {
        index += 1
        bytes.withUnsafeBytes { buffer in
            // A zero-length blob, not NULL, for an empty payload.
            _ = sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count),
                                  RawStatement.transient)
        }
    }

    /// Runs the row; throws the database's error when it fails.
    func step() throws {
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
        }
    }
}
