/// A value handed through a `@Sendable` callback (URLSession's) back to the queue that owns it.
/// `@unchecked`: the value is only ever used on that queue, before and after the hop.
struct QueueBound<Value>: @unchecked Sendable {
    let value: Value
}
