// The feed's API calls and the words for its categories and report reasons.
import { api, unwrap } from '../../api/client';

export type Post = Awaited<ReturnType<typeof feedPage>>['items'][number];
export type Comment = Awaited<ReturnType<typeof commentsOf>>['items'][number];

export const CATEGORIES = [
  { value: 'crime', label: 'Crime' },
  { value: 'safety', label: 'Safety' },
  { value: 'suspicious_activity', label: 'Suspicious activity' },
  { value: 'lost_found_pet', label: 'Lost or found pet' },
  { value: 'unexpected_activity', label: 'Unexpected activity' },
  { value: 'community', label: 'Community' },
] as const;
export const categoryLabel = (v: string) => CATEGORIES.find((c) => c.value === v)?.label ?? v.replace(/_/g, ' ');

export const REASONS = [
  { value: 'spam', label: 'Spam' },
  { value: 'harassment', label: 'Harassment' },
  { value: 'hate', label: 'Hate' },
  { value: 'violence', label: 'Violence or threats' },
  { value: 'personal_information', label: 'Personal information' },
  { value: 'misinformation', label: 'Misinformation' },
  { value: 'other', label: 'Something else' },
] as const;
export type Reason = (typeof REASONS)[number]['value'];

export const RADII = [0.5, 1, 2, 5, 10] as const;

export function feedPage(q: { radiusMi: number; categories: string[]; cursor?: string }) {
  return unwrap(api.GET('/api/v1/feed', {
    params: { query: { radiusMi: q.radiusMi, ...(q.categories.length ? { category: q.categories.join(',') } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) } },
  }));
}

export const onePost = (id: string) => unwrap(api.GET('/api/v1/feed/posts/{id}', { params: { path: { id } } }));
export const commentsOf = (id: string) => unwrap(api.GET('/api/v1/feed/posts/{id}/comments', { params: { path: { id } } }));
export const settings = () => unwrap(api.GET('/api/v1/me/feed-settings'));
