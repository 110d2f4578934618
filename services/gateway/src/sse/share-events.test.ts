import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.ts';
import { stubAccount, stubShare } from '../testing/stub-services.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.state.accounts.set('a1', stubAccount('alice', 'a1'));
  h.state.shares.set('s2', stubShare('alice', 's2', 'a1', 'uploading'));
});
afterEach(() => h.close());

const envelope = (id: string, type: string, shareId: string, data: object = {}) => new TextEncoder().encode(JSON.stringify({
  id, type, version: 1, streamId: `share-${shareId}`, streamVersion: 1, occurredAt: '2026-01-01T00:00:00Z', correlationId: shareId, causationId: null, data: { shareId, ...data },
}));

/** Reads SSE frames until the stream ends; calls `onFrame` after each so the test can react. */
async function readFrames(res: Response, onFrame: (frames: string[]) => Promise<void>): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: string[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return frames;
    buffer += decoder.decode(value, { stream: true });
    let idx: number;
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      frames.push(buffer.slice(0, idx));
      buffer = buffer.slice(idx + 2);
      await onFrame(frames);
    }
  }
}

describe('GET /shares/:id/events', () => {
  it('sends the current view, forwards only this share\'s events with heartbeats, and closes at a final status', async () => {
    const token = await h.token('alice');
    const res = await h.app.request('/api/v1/tiktok/shares/s2/events', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    let step = 0;
    const frames = await readFrames(res, async (f) => {
      const last = f[f.length - 1]!;
      if (step === 0 && last.startsWith('event: share')) {
        step = 1;
        await h.bus.publish('tiktok.share.chunk_uploaded.v1', envelope('e0', 'ChunkUploaded', 'other'), { msgId: 'e0' });
        await h.bus.publish('tiktok.share.chunk_uploaded.v1', envelope('e1', 'ChunkUploaded', 's2', { uploadedBytes: 100, videoSize: 200 }), { msgId: 'e1' });
      } else if (step === 1 && last.startsWith(': heartbeat')) {
        step = 2;
        h.state.shares.get('s2')!.status = 'published';
        await h.bus.publish('tiktok.share.publish_completed.v1', envelope('e2', 'PublishCompleted', 's2'), { msgId: 'e2' });
      }
    });
    const events = frames.filter((f) => !f.startsWith(':')).map((f) => /^event: (\S+)/m.exec(f)?.[1]);
    expect(events).toEqual(['share', 'ChunkUploaded', 'PublishCompleted', 'share']);
    expect(frames.join('\n')).not.toContain('"other"');
    expect(frames[frames.length - 1]).toContain('"status":"published"');
  });

  it('when the view turns final before the relay has published the last events, it still forwards them up to the terminal event', async () => {
    const token = await h.token('alice');
    const res = await h.app.request('/api/v1/tiktok/shares/s2/events', { headers: { authorization: `Bearer ${token}` } });
    let step = 0;
    const frames = await readFrames(res, async (f) => {
      const last = f[f.length - 1]!;
      if (step === 0 && last.startsWith('event: share')) {
        step = 1;
        // The read model is already final (it commits with the event); the bus lags behind.
        h.state.shares.get('s2')!.status = 'published';
        await h.bus.publish('tiktok.share.upload_initialized.v1', envelope('e1', 'UploadInitialized', 's2'), { msgId: 'e1' });
      } else if (step === 1 && last.includes('"status":"published"')) {
        step = 2;
        await h.bus.publish('tiktok.share.chunk_uploaded.v1', envelope('e2', 'ChunkUploaded', 's2'), { msgId: 'e2' });
        await h.bus.publish('tiktok.share.publish_completed.v1', envelope('e3', 'PublishCompleted', 's2'), { msgId: 'e3' });
      }
    });
    const events = frames.filter((f) => !f.startsWith(':')).map((f) => /^event: (\S+)/m.exec(f)?.[1]);
    expect(events).toEqual(['share', 'UploadInitialized', 'share', 'ChunkUploaded', 'PublishCompleted', 'share']);
    expect(frames[frames.length - 1]).toContain('"status":"published"');
  });

  it('a foreign share is a 404 problem, not a stream', async () => {
    const res = await h.app.request('/api/v1/tiktok/shares/s2/events', { headers: { authorization: `Bearer ${await h.token('bob')}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
