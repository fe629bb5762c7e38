// Loaded into the dev server by the console (NODE_OPTIONS=--require ...): marks every line a
// request's handler writes with the console's run id, so each run's log holds exactly its own
// lines. Only requests that carry the console's header are touched; without it the site prints
// exactly what it always prints. The console strips the mark before it shows a line.
'use strict'

const { AsyncLocalStorage } = require('node:async_hooks')
const http = require('node:http')
const https = require('node:https')

const HEADER = 'x-console-run'
const START = '\x1e' // ASCII record separator: mark, run id, unit separator, then the line
const END = '\x1f'
const VALID = /^[A-Za-z0-9_.-]{1,64}$/
const NL = 0x0a

if (!globalThis.__consoleRunTags) {
  globalThis.__consoleRunTags = true
  const store = new AsyncLocalStorage()

  const wrapEmit = (proto) => {
    const emit = proto.emit
    proto.emit = function (event, req) {
      if (event === 'request' && req && req.headers) {
        const id = req.headers[HEADER]
        if (typeof id === 'string' && VALID.test(id)) {
          return store.run(id, () => emit.apply(this, arguments))
        }
      }
      return emit.apply(this, arguments)
    }
  }
  wrapEmit(http.Server.prototype)
  if (https.Server.prototype.emit !== http.Server.prototype.emit) wrapEmit(https.Server.prototype)

  const wrapWrite = (stream) => {
    const write = stream.write
    let atLineStart = true // per stream: a mark goes only where a line begins
    stream.write = function (chunk, encoding, callback) {
      const id = store.getStore()
      const isText = typeof chunk === 'string'
      if (id === undefined || (!isText && !(chunk instanceof Uint8Array))) {
        if (isText) {
          if (chunk.length) atLineStart = chunk.charCodeAt(chunk.length - 1) === NL
        } else if (chunk && chunk.length) {
          atLineStart = chunk[chunk.length - 1] === NL
        }
        return write.apply(this, arguments)
      }
      const text = isText ? chunk : Buffer.from(chunk).toString('utf8')
      if (!text.length) return write.apply(this, arguments)
      const mark = START + id + END
      const parts = text.split('\n')
      for (let i = 0; i < parts.length; i++) {
        const last = i === parts.length - 1
        if (last && parts[i] === '') break // the text ended with a newline
        if ((i > 0 || atLineStart) && !parts[i].startsWith(START)) parts[i] = mark + parts[i]
      }
      atLineStart = text.charCodeAt(text.length - 1) === NL
      const marked = parts.join('\n')
      if (typeof encoding === 'function') return write.call(this, marked, encoding)
      return write.call(this, marked, isText ? encoding : 'utf8', callback)
    }
  }
  wrapWrite(process.stdout)
  wrapWrite(process.stderr)
}
