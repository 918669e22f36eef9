/**
 * The relay core: one request line in, its replies out.
 * parse -> look up -> build -> `dispatched` -> HTTP -> exactly one final reply.
 * Knows nothing of sockets: replies go to the `write` callback of the connection.
 */
import type { Dispatcher } from 'undici';
import type { Catalog } from './catalog.js';
import type { RelayConfig } from './config.js';
import { RelayError } from './errors.js';
import { send } from './dispatch.js';
import { sendAuthorized } from './oauth2.js';
import { decodeBody, pickHeaders } from './response.js';
import type { Logger } from './log.js';
import { dispatchedLine, failureLine, parseRequest, refusalLine, responseLine, type RequestId } from './protocol.js';
import type { Redactor } from './redact.js';
import { buildRequest } from './request.js';

export interface RelayOptions {
  catalog: Catalog;
  dispatcher: Dispatcher;
  limits: RelayConfig['limits'];
  redactor: Redactor;
  log: Logger;
}

export class Relay {
  readonly #opts: RelayOptions;
  #inFlight = 0;

  constructor(opts: RelayOptions) {
    this.#opts = opts;
  }

  /** Requests dispatched and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Serve one line: exactly one final reply through `write`.
   * Returns a promise settled after the final reply when the request was dispatched, else null.
   */
  handleLine(line: string, write: (text: string) => void): Promise<void> | null {
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      write(refusalLine(parsed.id, parsed.error));
      return null;
    }
    const { msg } = parsed;
    let target;
    let request;
    try {
      target = this.#opts.catalog.lookup(msg.request);
      const preset = target.preset;
      const params = preset?.params ? { ...preset.params, ...msg.params } : msg.params;
      const hasData = msg.hasData || (preset !== null && 'data' in preset);
      const data = msg.hasData ? msg.data : preset?.data;
      request = buildRequest(target.op, params, hasData, data, msg.contentType);
    } catch (err) {
      write(refusalLine(msg.id, this.#asRelayError(err, msg.id)));
      return null;
    }
    write(dispatchedLine(msg.id));
    this.#inFlight++;
    const started = performance.now();
    const { op } = target;
    const { dispatcher } = this.#opts;
    const redact = (text: string) => this.#opts.redactor.redact(text);
    const exchange = () => send(dispatcher, request, op.host, this.#opts.limits.maxResponseBytes);
    return sendAuthorized(request, dispatcher, exchange)
      .then(
        (res) => {
          const headers = msg.headers ? pickHeaders(res, op.replyHeaders, redact) : undefined;
          write(responseLine(msg.id, op.isSuccess(res.status), performance.now() - started, res.status, decodeBody(res, redact), headers));
        },
        (err: unknown) => {
          write(failureLine(msg.id, performance.now() - started, this.#asRelayError(err, msg.id)));
        },
      )
      .catch((err: unknown) => {
        // Only a throwing `write` gets here; the connection is gone and there is no one to tell.
        this.#opts.log.error(`reply to ${String(msg.id)} lost: ${(err as Error).message}`);
      })
      .finally(() => {
        this.#inFlight--;
      });
  }

  /** RelayErrors pass through with secrets masked; anything else is a bug: logged, and INTERNAL to the client. */
  #asRelayError(err: unknown, id: RequestId): RelayError {
    if (err instanceof RelayError) {
      const redacted = this.#opts.redactor.redact(err.message);
      if (redacted === err.message) return err;
      const copy = new RelayError(err.code, [], { cause: err });
      copy.message = redacted;
      return copy;
    }
    this.#opts.log.error(`internal error on request ${JSON.stringify(id)}: ${(err as Error)?.stack ?? String(err)}`);
    return new RelayError('INTERNAL', [], { cause: err });
  }
}
