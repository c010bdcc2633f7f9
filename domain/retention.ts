// Stored objects: what may be uploaded, where objects live, when and why they go away,
// and the housekeeping that keeps storage and its records in step. Pure: safe to import
// from workflow code.
import { retentionMs, type RetentionSubject } from './retention-policy.ts';
import { DAY, HOUR, MINUTE, SECOND } from './time.ts';

/**
 * `intermediate`: a step of a multi-step generation (a script project's scene clips,
 * voice track and subtitles), kept with the final video that uses it (R-INTERMEDIATE).
 */
export const ASSET_KINDS = ['input', 'output', 'export', 'temp', 'intermediate'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const ASSET_STATUSES = [
  /** The row exists and its bytes are on their way (an upload in flight). */
  'pending',
  'stored',
  /** Deletion was requested and is under way (or deferred by a legal hold). */
  'deleting',
  'deleted',
  /** The orphan check found no object for a row that should have one. */
  'missing',
] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** What a stored file holds, by its content type's first part (`audio/mpeg`: audio). */
export const ASSET_MEDIA = ['image', 'audio', 'video'] as const;
export type AssetMedia = (typeof ASSET_MEDIA)[number];

/** Rows whose object may exist: an object under one of them is never an orphan. */
export const LIVE_ASSET_STATUSES = [
  'pending',
  'stored',
  'deleting',
  'missing',
] as const satisfies readonly AssetStatus[];

export const DELETION_REASONS = [
  'timer',
  'user',
  'account_deletion',
  'minor',
  'orphan',
  'job_finished',
  /** A person refused it after automated moderation held it (S-MOD). */
  'moderation',
  /** An upheld take-down request (S-TAKEDOWN). */
  'takedown',
] as const;
export type DeletionReason = (typeof DELETION_REASONS)[number];

// ---------------------------------------------------------------- retention

/** The row of the policy table that sets each kind's lifetime. */
export const RETENTION_SUBJECT: Readonly<Record<AssetKind, RetentionSubject>> = {
  input: 'input',
  output: 'output',
  export: 'export',
  temp: 'temp',
  intermediate: 'intermediate',
};

/**
 * When an object stored at `storedAt` must be gone: by the policy table, or by the
 * durations a process was configured with (`config.durations.retentionMs`).
 */
export function assetDeleteAt(
  kind: AssetKind,
  storedAt: Date,
  keepMs: (subject: RetentionSubject) => number = retentionMs,
): Date {
  return new Date(storedAt.getTime() + keepMs(RETENTION_SUBJECT[kind]));
}

/** Where a retention workflow stands; its state query answers with it. */
export const RETENTION_STATUSES = ['scheduled', 'held', 'deleting', 'deleted'] as const;
export type RetentionStatus = (typeof RETENTION_STATUSES)[number];

/**
 * The most due deletions that go in one batch (activities/retention.ts). The retention
 * worker runs 20 local activities at a time (dueDeletionsAtOnce), so its batches hold at
 * most 20; this bounds them should the slots grow: one DeleteObjects request takes up to
 * 1,000 keys, and each deletion adds 19 parameters to one statement (its proof's 16, its
 * asset row's 3).
 */
export const DUE_DELETIONS_PER_BATCH = 100;

/**
 * Due deletions the retention worker runs at once (worker/tuning.ts): twice its database
 * pool, since those that fire together share one batch and one connection; only a held or
 * moved file's deletion takes a connection of its own (and waits for one).
 */
export const dueDeletionsAtOnce = (poolMax: number): number => 2 * poolMax;

/**
 * How long a due deletion waits for others to share its batch, unless as many wait as the
 * worker runs at once. Due timers' tasks reach the worker a few milliseconds apart: with
 * no wait, 5,000 due together went in 2,210 batches, 1,308 of them alone (2.3 a batch).
 * With 40 ms and twice the slots, in 732 and 747 (6.8 and 6.7), and a deletion cost
 * PostgreSQL 0.82 and 0.83 ms of CPU instead of 1.31 and 1.56, MinIO 2.58 and 3.06
 * instead of 3.14 and 3.89, the worker 8.17 and 8.22 instead of 8.52 and 10.34 (alternating
 * runs; bench/README.md). A lone deletion is 40 ms later, which no promise notices.
 */
export const DUE_DELETION_LINGER_MS = 40;

/**
 * A held retention workflow re-reads the holds from the database this often, so a
 * release whose signal was lost (the API died between the two) still resumes deletion.
 */
export const HOLD_RECHECK_INTERVAL_MS = DAY;

// ---------------------------------------------------------------- object keys

/** Every asset object lives under this prefix; the orphan check looks only here. */
export const ASSET_KEY_PREFIX = 'users/';

const KIND_FOLDERS: Readonly<Record<AssetKind, string>> = {
  input: 'inputs',
  output: 'outputs',
  export: 'exports',
  temp: 'temp',
  intermediate: 'intermediates',
};

/** `users/<userId>/inputs/<assetId>`: ids only, never names, emails or file names. */
export function assetObjectKey(userId: string, kind: AssetKind, assetId: string): string {
  return `${ASSET_KEY_PREFIX}${userId}/${KIND_FOLDERS[kind]}/${assetId}`;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY_PATTERN = new RegExp(`^users/(${UUID})/(inputs|outputs|exports|temp|intermediates)/(${UUID})$`);

/** The owner, kind and asset id a key names, or null for a key the platform did not make. */
export function parseAssetObjectKey(
  key: string,
): { userId: string; kind: AssetKind; assetId: string } | null {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const kind = (Object.keys(KIND_FOLDERS) as AssetKind[]).find((k) => KIND_FOLDERS[k] === match[2]);
  return kind ? { userId: match[1]!, kind, assetId: match[3]! } : null;
}

// ---------------------------------------------------------------- uploads

export const MEDIA_TYPES = ['image', 'video', 'audio'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const MiB = 1024 * 1024;
export const MAX_IMAGE_UPLOAD_BYTES = 20 * MiB;
export const MAX_VIDEO_UPLOAD_BYTES = 500 * MiB;
export const MAX_AUDIO_UPLOAD_BYTES = 100 * MiB;
export const UPLOAD_LIMIT_BYTES: Readonly<Record<MediaType, number>> = {
  image: MAX_IMAGE_UPLOAD_BYTES,
  video: MAX_VIDEO_UPLOAD_BYTES,
  audio: MAX_AUDIO_UPLOAD_BYTES,
};
/** The largest file of any type: bigger requests are refused before a byte is read. */
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(UPLOAD_LIMIT_BYTES));
/** Room for multipart boundaries and part headers around the one file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** Bytes read before deciding what a file is (file-type's recommended sample). */
export const CONTENT_SNIFF_BYTES = 4100;
/** Multipart part size towards S3, and parts in flight: memory per upload stays near their product. */
export const UPLOAD_PART_BYTES = 8 * MiB;
export const UPLOAD_PARTS_IN_FLIGHT = 2;

export interface AllowedUpload {
  mediaType: MediaType;
  /** The content type stored and served, decided from the bytes. */
  contentType: string;
  label: string;
}

/**
 * What may be uploaded, keyed by the extension `file-type` reports after reading the
 * file's own bytes (its magic numbers). File names and declared types are ignored.
 */
export const ALLOWED_UPLOADS: Readonly<Record<string, AllowedUpload>> = {
  jpg: { mediaType: 'image', contentType: 'image/jpeg', label: 'JPEG' },
  png: { mediaType: 'image', contentType: 'image/png', label: 'PNG' },
  webp: { mediaType: 'image', contentType: 'image/webp', label: 'WebP' },
  mp4: { mediaType: 'video', contentType: 'video/mp4', label: 'MP4' },
  webm: { mediaType: 'video', contentType: 'video/webm', label: 'WebM' },
  mov: { mediaType: 'video', contentType: 'video/quicktime', label: 'QuickTime' },
  mp3: { mediaType: 'audio', contentType: 'audio/mpeg', label: 'MP3' },
  wav: { mediaType: 'audio', contentType: 'audio/wav', label: 'WAV' },
  ogg: { mediaType: 'audio', contentType: 'audio/ogg', label: 'OGG' },
  // Ogg with the Opus codec is an OGG audio file too.
  opus: { mediaType: 'audio', contentType: 'audio/ogg', label: 'OGG' },
  m4a: { mediaType: 'audio', contentType: 'audio/mp4', label: 'M4A' },
};

/** For error messages: "JPEG, PNG, WebP images; MP4, ...". */
export function describeAllowedUploads(): string {
  return MEDIA_TYPES.map((media) => {
    const labels = [
      ...new Set(
        Object.values(ALLOWED_UPLOADS)
          .filter((a) => a.mediaType === media)
          .map((a) => a.label),
      ),
    ];
    return `${labels.join(', ')} ${media === 'audio' ? 'audio' : `${media}s`} up to ${UPLOAD_LIMIT_BYTES[media] / MiB} MB`;
  }).join('; ');
}

// ---------------------------------------------------------------- downloads

/** Lifetime of a presigned download link; never past the asset's delete-at either. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

export const ASSET_LIST_DEFAULT_LIMIT = 25;
export const ASSET_LIST_MAX_LIMIT = 100;

// ---------------------------------------------------------------- sweeps

/** How often session logs past their retention are deleted (R-SESSION-30D). */
export const SESSION_LOG_SWEEP_INTERVAL_MS = HOUR;
/**
 * How long an upload waits for its retention workflow's start when Temporal does not
 * answer: then the file is kept, recorded as unstarted, and the person answered, instead
 * of a 503 after the Temporal client's own retries (about 20 s) with nothing kept. The
 * unstarted sweep starts the workflow within a minute of Temporal answering; should it
 * never, the overdue sweep deletes the file an hour past its delete-at all the same.
 */
export const RETENTION_START_DEADLINE_MS = 5 * SECOND;
/** How often storage and its records are reconciled (orphaned objects, missing objects). */
export const ORPHAN_SWEEP_INTERVAL_MS = 6 * HOUR;
/**
 * Objects and rows younger than this are never judged: an upload in flight has bytes in
 * the bucket before its row says stored.
 */
export const ORPHAN_GRACE_MS = HOUR;
/** How often assets past their delete-at that are still stored are looked for. */
export const OVERDUE_SWEEP_INTERVAL_MS = HOUR;
/**
 * An asset this long past its delete-at and still stored is one whose retention workflow
 * was lost (never started, or its start lost with the engine's last writes): the overdue
 * sweep deletes it. Below this, a workflow working through a backlog of due timers
 * (5,000 at once take minutes) is left to do its own work.
 */
export const OVERDUE_GRACE_MS = HOUR;
/** Overdue assets deleted at once by the sweep: the retention queue's deletions go first. */
export const OVERDUE_DELETE_CONCURRENCY = 4;
/** Rows or keys handled per database round trip by a sweep. */
export const SWEEP_BATCH_SIZE = 1000;
/** Object existence checks in flight at once during the missing-object check. */
export const SWEEP_HEAD_CONCURRENCY = 16;
/** A schedule that missed its time (worker or server down) still runs within this window. */
export const SWEEP_CATCHUP_WINDOW_MS = 30 * MINUTE;

/** Stable ids, so an operator finds each sweep's schedule in the Web UI. */
export const SCHEDULE_IDS = {
  sessionLogSweep: 'sweep-session-logs',
  orphanSweep: 'sweep-orphaned-objects',
  overdueSweep: 'sweep-overdue-assets',
} as const;

// ---------------------------------------------------------------- scratch files (R-TEMP)

/**
 * How often a process marks its scratch folder alive and looks for the folders of
 * processes that died (platform/scratch.ts). One timestamp and one directory listing a
 * minute: nothing next to the files a job writes.
 */
export const SCRATCH_HEARTBEAT_MS = MINUTE;
/**
 * A scratch folder not marked alive for this long belongs to a process that died (killed,
 * out of memory, its machine restarted) in the middle of a job: its files are deleted.
 * Five heartbeats, so a process paused by a slow disk or a long garbage collection is
 * never taken for dead.
 */
export const SCRATCH_ABANDONED_AFTER_MS = 5 * SCRATCH_HEARTBEAT_MS;

/**
 * Legal holds the legal team's list shows, newest placed first (filtered by person, file
 * or state; holds are few); and the most one list may ask.
 */
export const HOLD_LIST_LIMIT = 50;
export const HOLD_LIST_MAX_LIMIT = 200;
