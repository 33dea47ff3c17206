// Two MessageEndpoints wired back to back, as the host and the webview are: notifications arrive, every
// request is answered exactly once, a handler's throw reaches the caller as a RemoteError of the thrower's
// class name, and a disposed endpoint rejects what it still waits for.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageEndpoint } from '../../../src/shared/MessageEndpoint';
import { isEnvelope, type Envelope } from '../../../src/shared/envelope';
import { RemoteError } from '../../../src/shared/wireError';

type Body = { type: string; [key: string]: unknown };

class SpecError extends Error {
  override readonly name = 'SpecError';
}

function pair(handle: (body: Body) => Body | void | Promise<Body | void>) {
  const wire: Envelope<Body>[] = [];
  let other: MessageEndpoint<Body, Body>;
  const host = new MessageEndpoint<Body, Body>((e) => {
    wire.push(e);
    void other.receive(structuredClone(e));
  }, () => {});
  other = new MessageEndpoint<Body, Body>((e) => {
    wire.push(e);
    void host.receive(structuredClone(e));
  }, handle);
  return { host, wire };
}

describe('MessageEndpoint', () => {
  test('a request gets its reply, a notification gets none, a request without a reply body gets ack', async () => {
    const seen: string[] = [];
    const { host, wire } = pair((body) => {
      seen.push(body.type);
      if (body.type === 'ready') return { type: 'init', view: 1 };
      return undefined;
    });
    assert.deepEqual(await host.request({ type: 'ready' }), { type: 'init', view: 1 });
    host.post({ type: 'nodeSelected', nodeId: 'a' });
    assert.deepEqual(await host.request({ type: 'export' }), { type: 'ack' });
    assert.deepEqual(seen, ['ready', 'nodeSelected', 'export']);
    assert.ok(wire.every(isEnvelope));
    assert.deepEqual(wire.map((e) => [e.wantsReply ?? false, e.inReplyTo !== undefined]), [
      [true, false], [false, true], [false, false], [true, false], [false, true],
    ]);
  });

  test('a throwing handler answers with the envelope error; the caller gets a RemoteError named after it', async () => {
    const { host, wire } = pair(() => {
      throw new SpecError("field 'head' must be an object");
    });
    await assert.rejects(host.request({ type: 'ready' }), (e: Error) =>
      e instanceof RemoteError && e.name === 'SpecError' && e.message === "field 'head' must be an object");
    const reply = wire.at(-1)!;
    assert.deepEqual({ body: reply.body, error: reply.error }, {
      body: null, error: { name: 'SpecError', message: "field 'head' must be an object" },
    });
  });

  test('dispose rejects the requests still waiting', async () => {
    const host = new MessageEndpoint<Body, Body>(() => {}, () => {});
    const waiting = host.request({ type: 'ready' });
    host.dispose();
    await assert.rejects(waiting, (e: Error) => e instanceof RemoteError && e.name === 'Disposed');
  });
});
