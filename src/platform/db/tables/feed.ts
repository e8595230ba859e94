// The neighbourhood feed (PRODUCT.md B; migration 0013_feed).

export interface FeedPostsTable {
  id: string;
  author_id: string;
  /** The agency an alert was posted for; null for a resident's post. */
  agency_id: string | null;
  category: string;
  title: string;
  body: string;
  /** The author's exact point: only the author ever sees it. */
  exact_lat: number;
  exact_lon: number;
  /** The public point, fuzzed once at posting (feed/policy.ts fuzzPoint). */
  lat: number;
  lon: number;
  /** Grid cell of the public point (feed/policy.ts cellOf), the feed page's index key. */
  cell: number;
  created_at: number;
  edited_at: number | null;
  /** The author deleted the post: it is gone from every list, and its clips withdrawn. */
  deleted_at: number | null;
  /** A reviewer removed it: a tombstone with the reason stays. */
  removed_at: number | null;
  removed_by: string | null;
  removed_reason: string | null;
}

export interface FeedCommentsTable {
  id: string;
  post_id: string;
  author_id: string;
  body: string;
  created_at: number;
  deleted_at: number | null;
  removed_at: number | null;
  removed_by: string | null;
  removed_reason: string | null;
}

export interface FeedReportsTable {
  id: string;
  subject_kind: 'post' | 'comment';
  subject_id: string;
  /** The post, or the post the reported comment belongs to. */
  post_id: string;
  reporter_id: string;
  reason: string;
  note: string | null;
  created_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution: 'removed' | 'kept' | null;
}

/** A clip a post attaches: a public disclosure (disclosures.recipient 'public', basis ref = the post). */
export interface FeedAttachmentsTable {
  post_id: string;
  disclosure_id: string;
  position: number;
  withdrawn_at: number | null;
}

export interface FeedSettingsTable {
  user_id: string;
  radius_mi: number;
  push_posts: number;
  push_replies: number;
  updated_at: number;
}

export interface FeedTables {
  feed_posts: FeedPostsTable;
  feed_comments: FeedCommentsTable;
  feed_reports: FeedReportsTable;
  feed_attachments: FeedAttachmentsTable;
  feed_settings: FeedSettingsTable;
}
