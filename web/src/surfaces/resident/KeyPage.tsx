// The owner's end-to-end key: made and kept in this browser (E2eeKeyPage).
import { api, unwrap } from '../../api/client';
import { E2eeKeyPage } from '../../components/E2eeKeyPage';
import { Loading } from '../../components/States';
import { useMe } from '../../lib/session';

const ABOUT = 'A camera in end-to-end mode seals each clip to this key before upload, so only a browser that holds it can play the clip. '
  + 'You can still share such a clip with an agency: this browser re-wraps its key for the agency. '
  + 'What it costs: no thumbnails, no release under a warrant or in an emergency, and a lost key means lost clips.';

export function KeyPage() {
  const me = useMe().data;
  if (!me) return <Loading />;
  return (
    <E2eeKeyPage
      about={ABOUT}
      owner={{
        subject: `user:${me.id}`,
        whose: 'your',
        fetchKey: () => unwrap(api.GET('/api/v1/me/e2ee-key')),
        register: (publicKey) => unwrap(api.PUT('/api/v1/me/e2ee-key', { body: { publicKey } })),
      }}
    />
  );
}
