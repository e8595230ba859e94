// Camera queries shared by the resident pages.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';

export type Camera = Awaited<ReturnType<typeof listCameras>>[number];
export type CameraKind = Camera['kind'];
export const KINDS: { value: CameraKind; label: string }[] = [
  { value: 'doorbell', label: 'Doorbell' },
  { value: 'outdoor', label: 'Outdoor' },
  { value: 'indoor', label: 'Indoor' },
];

const listCameras = () => unwrap(api.GET('/api/v1/cameras'));

export const useCameras = () => useQuery({ queryKey: ['cameras'], queryFn: listCameras });
export const useCamera = (id: string) =>
  useQuery({ queryKey: ['cameras', id], queryFn: () => unwrap(api.GET('/api/v1/cameras/{id}', { params: { path: { id } } })) });

export type Schemas = components['schemas'];
