// The agency's end-to-end key: owners re-wrap end-to-end clips to it when they
// share, and members' browsers that hold it play them (E2eeKeyPage).
import { api, unwrap } from '../../api/client';
import { E2eeKeyPage } from '../../components/E2eeKeyPage';
import { Loading } from '../../components/States';
import { useAgencyId } from './agencyApi';

const ABOUT = 'Residents whose cameras are end-to-end encrypted can share clips with your agency only if it has a key. '
  + 'Their browser seals each shared clip to it; the server cannot open them. Make the key once, give the backup file to the members who review evidence, '
  + 'and have each of them restore it in their browser.';

export function KeyPage() {
  const id = useAgencyId();
  if (!id) return <Loading />;
  return (
    <E2eeKeyPage
      about={ABOUT}
      owner={{
        subject: `agency:${id}`,
        whose: "your agency's",
        fetchKey: () => unwrap(api.GET('/api/v1/agencies/{id}/e2ee-key', { params: { path: { id } } })),
        register: (publicKey) => unwrap(api.PUT('/api/v1/agencies/{id}/e2ee-key', { params: { path: { id } }, body: { publicKey } })),
      }}
    />
  );
}
