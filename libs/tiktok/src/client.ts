/**
 * The typed TikTok client every service uses: Login Kit (authorize URL, token, refresh, revoke),
 * user/info, Content Posting (creator_info, Direct Post init, inbox init, status, cancel) and the
 * chunk PUT. Errors come out as TikTokError only (see errors.ts).
 */
import type { Dispatcher } from 'undici';
import { TikTokError } from './errors.ts';
import { createTikTokAgent, send, toRequestBody, type HttpAnswer, type Timeouts } from './http.ts';
import { parseJsonLossless } from './json.ts';
import type {
  ChunkResult,
  ChunkUpload,
  CreatorInfo,
  CreatorInfoResult,
  InitResult,
  PostInfo,
  PrivacyLevel,
  PublishStatus,
  StatusResult,
  TokenSet,
  VideoSource,
} from './types.ts';

export type TikTokClientOptions = {
  clientKey: string;
  clientSecret: string;
  /** Open API base, e.g. `https://open.tiktokapis.com` or the emulator's URL. */
  apiBaseUrl: string;
  /** Authorize page, e.g. `https://www.tiktok.com/v2/auth/authorize/`. */
  authUrl: string;
  dispatcher?: Dispatcher;
  timeouts?: Partial<Timeouts>;
  /**
   * Called once per HTTP call to TikTok, after it finished (metrics). Never given a token or a URL.
   * A throwing hook is ignored: metrics must never fail a TikTok call.
   */
  onCall?: ((call: TikTokCall) => void) | undefined;
};

/** The HTTP calls the client makes, as metric label values. `token` covers code exchange and refresh. */
export type TikTokEndpoint = 'token' | 'revoke' | 'user_info' | 'creator_info' | 'video_init' | 'inbox_init' | 'upload' | 'status' | 'cancel';

/** One finished call, as reported to `onCall`. */
export type TikTokCall = {
  endpoint: TikTokEndpoint;
  /**
   * `ok`, or the TikTokError code (TikTok's `error.code` / OAuth `error`, `network_error`, `timeout`,
   * `invalid_response`…); creator_info's "cannot post" answers report their code (e.g. `spam_risk_too_many_posts`).
   */
  outcome: string;
  /** 0 when no answer came (network error, timeout). */
  httpStatus: number;
  ms: number;
  /** upload only, on success: the bytes of the chunk TikTok acknowledged. */
  bytes?: number;
};

/** What one call saw, filled in by the method while it runs. */
type Seen = { httpStatus: number; outcome?: string; bytes?: number };

export type AuthorizeUrlInput = { redirectUri: string; state: string; scopes: string[]; disableAutoAuth?: boolean; extra?: Record<string, string> };

export type TikTokClient = ReturnType<typeof createTikTokClient>;

/** creator_info codes that mean "this creator cannot post right now" (sent with HTTP 200). */
const CANNOT_POST = new Set(['spam_risk_too_many_posts', 'spam_risk_user_banned_from_posting', 'reached_active_user_cap']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

function parseBody(answer: HttpAnswer): unknown {
  if (answer.text.trim() === '') return {};
  try {
    return parseJsonLossless(answer.text);
  } catch (cause) {
    throw new TikTokError({ code: answer.status >= 500 ? 'internal_error' : 'invalid_response', httpStatus: answer.status, message: 'unparsable body', cause });
  }
}

/** OAuth endpoints: flat `{error, error_description, log_id}`; decided by the body, not the status. */
function oauthResult(answer: HttpAnswer): Json {
  const body = parseBody(answer);
  if (!isObject(body)) throw new TikTokError({ code: 'invalid_response', httpStatus: answer.status });
  const error = str(body.error);
  if (error) throw new TikTokError({ code: error, httpStatus: answer.status, message: str(body.error_description) ?? '', logId: str(body.log_id) });
  if (answer.status >= 400) throw new TikTokError({ code: answer.status >= 500 ? 'server_error' : 'invalid_response', httpStatus: answer.status });
  return body;
}

/** Open API: `{data, error: {code, message, log_id}}`; success ⇔ error.code === 'ok'. */
function envelope(answer: HttpAnswer): { data: Json; code: string; message: string; logId: string | undefined } {
  const body = parseBody(answer);
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (!error || typeof error.code !== 'string') {
    throw new TikTokError({ code: answer.status >= 500 ? 'internal_error' : 'invalid_response', httpStatus: answer.status });
  }
  const data = isObject(body) && isObject(body.data) ? body.data : {};
  return { data, code: error.code, message: str(error.message) ?? '', logId: str(error.log_id) };
}

function okData(answer: HttpAnswer): Json {
  const e = envelope(answer);
  if (e.code !== 'ok') throw new TikTokError({ code: e.code, httpStatus: answer.status, message: e.message, logId: e.logId });
  return e.data;
}

function tokenSet(body: Json, status: number): TokenSet {
  const accessToken = str(body.access_token);
  const refreshToken = str(body.refresh_token);
  const openId = str(body.open_id);
  if (!accessToken || !refreshToken || !openId) throw new TikTokError({ code: 'invalid_response', httpStatus: status, message: 'token response incomplete' });
  return {
    accessToken,
    refreshToken,
    openId,
    scopes: (str(body.scope) ?? '').split(',').filter(Boolean),
    expiresIn: num(body.expires_in) ?? 0,
    refreshExpiresIn: num(body.refresh_expires_in) ?? 0,
  };
}

function creatorInfo(data: Json): CreatorInfo {
  const options = Array.isArray(data.privacy_level_options) ? data.privacy_level_options.filter((o): o is PrivacyLevel => typeof o === 'string') : [];
  return {
    avatarUrl: str(data.creator_avatar_url) ?? '',
    username: str(data.creator_username) ?? '',
    nickname: str(data.creator_nickname) ?? '',
    privacyLevelOptions: options,
    commentDisabled: data.comment_disabled === true,
    duetDisabled: data.duet_disabled === true,
    stitchDisabled: data.stitch_disabled === true,
    maxVideoPostDurationSec: num(data.max_video_post_duration_sec) ?? 0,
  };
}

function postInfoWire(p: PostInfo): Json {
  const wire: Json = {
    privacy_level: p.privacyLevel,
    disable_duet: p.disableDuet,
    disable_comment: p.disableComment,
    disable_stitch: p.disableStitch,
    brand_content_toggle: p.brandContentToggle,
    brand_organic_toggle: p.brandOrganicToggle,
    is_aigc: p.isAigc,
  };
  if (p.title !== undefined) wire.title = p.title;
  if (p.videoCoverTimestampMs !== undefined) wire.video_cover_timestamp_ms = p.videoCoverTimestampMs;
  return wire;
}

function sourceWire(s: VideoSource): Json {
  return s.source === 'FILE_UPLOAD'
    ? { source: s.source, video_size: s.videoSize, chunk_size: s.chunkSize, total_chunk_count: s.totalChunkCount }
    : { source: s.source, video_url: s.videoUrl };
}

function initResult(data: Json, status: number): InitResult {
  const publishId = str(data.publish_id);
  if (!publishId) throw new TikTokError({ code: 'invalid_response', httpStatus: status, message: 'no publish_id' });
  const uploadUrl = str(data.upload_url);
  return uploadUrl ? { publishId, uploadUrl } : { publishId };
}

function statusResult(data: Json): StatusResult {
  // Docs spell it `publicaly_…`; read the corrected spelling too, defensively.
  const raw = data.publicaly_available_post_id ?? data.publicly_available_post_id;
  const postIds = Array.isArray(raw) ? raw.map((id) => String(id)) : [];
  const result: StatusResult = { status: (str(data.status) ?? 'PROCESSING_UPLOAD') as PublishStatus, postIds };
  const failReason = str(data.fail_reason);
  if (failReason) result.failReason = failReason;
  const uploaded = num(data.uploaded_bytes);
  if (uploaded !== undefined) result.uploadedBytes = uploaded;
  const downloaded = num(data.downloaded_bytes);
  if (downloaded !== undefined) result.downloadedBytes = downloaded;
  return result;
}

/** `Content-Range: bytes 0-{last}/{total}` → bytes received (last + 1); `bytes *\/total` → 0. */
function uploadedFrom(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^bytes \*\/\d+$/.test(value)) return 0;
  const m = /^bytes (\d+)-(\d+)\/\d+$/.exec(value);
  return m ? Number(m[2]) + 1 : undefined;
}

/**
 * Wraps one call for `onCall`: times it and reports its outcome once, whether it returned or threw.
 * Without a hook it is a plain call (no clock reads).
 */
function observer(onCall: ((call: TikTokCall) => void) | undefined) {
  return async <T>(endpoint: TikTokEndpoint, run: (seen: Seen) => Promise<T>): Promise<T> => {
    const seen: Seen = { httpStatus: 0 };
    if (!onCall) return run(seen);
    const started = performance.now();
    const report = (outcome: string, httpStatus: number) => {
      const call: TikTokCall = { endpoint, outcome, httpStatus, ms: performance.now() - started };
      if (seen.bytes !== undefined) call.bytes = seen.bytes;
      try {
        onCall(call);
      } catch {
        // A broken metrics hook must not turn a good TikTok answer into a failure.
      }
    };
    try {
      const value = await run(seen);
      report(seen.outcome ?? 'ok', seen.httpStatus);
      return value;
    } catch (err) {
      // Every client failure is a TikTokError; anything else is a bug here, counted as invalid_response.
      if (err instanceof TikTokError) report(err.code, err.httpStatus);
      else report('invalid_response', seen.httpStatus);
      throw err;
    }
  };
}

/**
 * Creates the client. Pass a shared `dispatcher` (undici Agent) to reuse connections.
 * @example
 * const tiktok = createTikTokClient({ clientKey, clientSecret, apiBaseUrl: 'https://open.tiktokapis.com', authUrl: 'https://www.tiktok.com/v2/auth/authorize/' });
 * const tokens = await tiktok.exchangeCode({ code, redirectUri });
 */
export function createTikTokClient(options: TikTokClientOptions) {
  const dispatcher = options.dispatcher ?? createTikTokAgent(options.timeouts);
  const api = (path: string) => new URL(path, options.apiBaseUrl).toString();
  const observe = observer(options.onCall);

  /** `send`, recording the answer's status for `onCall`. */
  const sendSeen = async (seen: Seen, ...args: Parameters<typeof send>): Promise<HttpAnswer> => {
    const answer = await send(...args);
    seen.httpStatus = answer.status;
    return answer;
  };

  const form = (seen: Seen, fields: Record<string, string>) =>
    sendSeen(seen, dispatcher, 'POST', api('/v2/oauth/token/'), { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-cache' }, new URLSearchParams(fields).toString());

  const postJson = (seen: Seen, path: string, accessToken: string, body: Json | null) =>
    sendSeen(
      seen,
      dispatcher,
      'POST',
      api(path),
      { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
      body === null ? null : JSON.stringify(body),
    );

  return {
    /** The Login Kit authorize URL (scopes comma-separated, response_type=code). */
    authorizeUrl(input: AuthorizeUrlInput): string {
      const url = new URL(options.authUrl);
      url.searchParams.set('client_key', options.clientKey);
      url.searchParams.set('scope', input.scopes.join(','));
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', input.redirectUri);
      url.searchParams.set('state', input.state);
      if (input.disableAutoAuth) url.searchParams.set('disable_auto_auth', '1');
      for (const [k, v] of Object.entries(input.extra ?? {})) url.searchParams.set(k, v);
      return url.toString();
    },

    /** authorization_code grant (form-encoded; redirect URI must equal the authorize one). */
    exchangeCode: (input: { code: string; redirectUri: string }): Promise<TokenSet> => observe('token', async (seen) => {
      const answer = await form(seen, {
        client_key: options.clientKey,
        client_secret: options.clientSecret,
        code: input.code,
        grant_type: 'authorization_code',
        redirect_uri: input.redirectUri,
      });
      return tokenSet(oauthResult(answer), answer.status);
    }),

    /** refresh_token grant. TikTok rotates: persist the returned refresh token, the old one is dead. */
    refresh: (refreshToken: string): Promise<TokenSet> => observe('token', async (seen) => {
      const answer = await form(seen, { client_key: options.clientKey, client_secret: options.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken });
      return tokenSet(oauthResult(answer), answer.status);
    }),

    /** Revokes the grant behind an access token. */
    revoke: (accessToken: string): Promise<void> => observe('revoke', async (seen) => {
      const answer = await sendSeen(
        seen,
        dispatcher,
        'POST',
        api('/v2/oauth/revoke/'),
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ client_key: options.clientKey, client_secret: options.clientSecret, token: accessToken }).toString(),
      );
      oauthResult(answer);
    }),

    /** GET /v2/user/info/?fields=… → the `data.user` object. */
    userInfo: (accessToken: string, fields: string[]): Promise<Record<string, unknown>> => observe('user_info', async (seen) => {
      const url = new URL(api('/v2/user/info/'));
      url.searchParams.set('fields', fields.join(','));
      const answer = await sendSeen(seen, dispatcher, 'GET', url.toString(), { authorization: `Bearer ${accessToken}` }, null);
      const data = okData(answer);
      return isObject(data.user) ? data.user : {};
    }),

    /** creator_info; "cannot post now" (HTTP 200 + spam_risk_* / cap code) is a result, not an error. */
    creatorInfo: (accessToken: string): Promise<CreatorInfoResult> => observe('creator_info', async (seen) => {
      const answer = await postJson(seen, '/v2/post/publish/creator_info/query/', accessToken, null);
      const e = envelope(answer);
      if (e.code === 'ok') return { canPost: true, ...creatorInfo(e.data) };
      if (answer.status === 200 && CANNOT_POST.has(e.code)) {
        seen.outcome = e.code;
        return { canPost: false, reason: e.code, message: e.message, logId: e.logId };
      }
      throw new TikTokError({ code: e.code, httpStatus: answer.status, message: e.message, logId: e.logId });
    }),

    /** Direct Post init (video.publish). */
    initDirectPost: (accessToken: string, input: { postInfo: PostInfo; source: VideoSource }): Promise<InitResult> => observe('video_init', async (seen) => {
      const answer = await postJson(seen, '/v2/post/publish/video/init/', accessToken, { post_info: postInfoWire(input.postInfo), source_info: sourceWire(input.source) });
      return initResult(okData(answer), answer.status);
    }),

    /** Upload-to-inbox init (video.upload): only `source_info` — drafts ignore post settings. */
    initInbox: (accessToken: string, input: { source: VideoSource }): Promise<InitResult> => observe('inbox_init', async (seen) => {
      const answer = await postJson(seen, '/v2/post/publish/inbox/video/init/', accessToken, { source_info: sourceWire(input.source) });
      return initResult(okData(answer), answer.status);
    }),

    /**
     * PUTs one chunk, streaming its body with `Content-Range` and `Content-Length`.
     * 416 → TikTokError `range_not_satisfiable` with `uploadedBytes` (resync from there).
     */
    uploadChunk: (uploadUrl: string, chunk: ChunkUpload): Promise<ChunkResult> => observe('upload', async (seen) => {
      const length = chunk.end - chunk.start + 1;
      const answer = await sendSeen(
        seen,
        dispatcher,
        'PUT',
        uploadUrl,
        {
          'content-type': chunk.contentType ?? 'video/mp4',
          'content-length': String(length),
          'content-range': `bytes ${chunk.start}-${chunk.end}/${chunk.total}`,
        },
        toRequestBody(chunk.body),
      );
      const uploadedBytes = uploadedFrom(answer.headers['content-range']);
      if (answer.status === 201 || answer.status === 206) {
        seen.bytes = length;
        return { status: answer.status, uploadedBytes };
      }
      const code =
        answer.status === 416 ? 'range_not_satisfiable'
        : answer.status === 403 ? 'upload_url_expired'
        : answer.status === 404 ? 'upload_not_found'
        : answer.status >= 500 ? 'internal_error'
        : 'invalid_file_upload';
      throw new TikTokError({ code, httpStatus: answer.status, uploadedBytes });
    }),

    /** status/fetch; post ids come back as exact strings. */
    fetchStatus: (accessToken: string, publishId: string): Promise<StatusResult> => observe('status', async (seen) => {
      const answer = await postJson(seen, '/v2/post/publish/status/fetch/', accessToken, { publish_id: publishId });
      return statusResult(okData(answer));
    }),

    /** Cancels an ongoing PULL_FROM_URL download (answer has no `data`). */
    cancel: (accessToken: string, publishId: string): Promise<void> => observe('cancel', async (seen) => {
      const answer = await postJson(seen, '/v2/post/publish/cancel/', accessToken, { publish_id: publishId });
      okData(answer);
    }),

    /** Closes the agent if the client created it. */
    async close(): Promise<void> {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}
