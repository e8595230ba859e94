// Live updates over the server-sent event stream GET /api/v1/me/events
// (WHATWG HTML §9.2): one EventSource per signed-in tab. The browser reconnects
// by itself and sends Last-Event-ID, so the server replays what was missed;
// nothing polls. Each event refreshes the queries its kind touches.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

export interface LiveEvent {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Other parts of the page can listen for events too (a "new posts" note, say). */
export const LIVE_EVENT = 'porchlight:live';

export function useLiveEvents(enabled: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/v1/me/events', { withCredentials: true });
    const onNote = (ev: MessageEvent<string>) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(ev.data) as LiveEvent;
      } catch {
        return;
      }
      void qc.invalidateQueries({ queryKey: ['notifications'] });
      if (e.kind.startsWith('feed.')) {
        void qc.invalidateQueries({ queryKey: ['feed'] });
        const postId = typeof e.payload?.postId === 'string' ? e.payload.postId : null;
        if (postId) void qc.invalidateQueries({ queryKey: ['feed-comments', postId] });
      }
      if (e.kind.startsWith('request.')) void qc.invalidateQueries({ queryKey: ['inbox'] });
      window.dispatchEvent(new CustomEvent<LiveEvent>(LIVE_EVENT, { detail: e }));
    };
    es.addEventListener('notification', onNote as EventListener);
    return () => es.close();
  }, [enabled, qc]);
}
