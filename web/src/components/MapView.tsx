// A Leaflet map of markers and polygons. Base imagery is optional: the tile URL
// is a server setting, and when tiles cannot load (no network, as in tests) the
// shapes still show on a plain background with a note saying so.
// Everything on the map is also listed as text by the pages that use it, so the
// map is never the only way to reach the information (WCAG 1.1.1, 2.1.1).
import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { Box, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { usePublicConfig } from '../lib/config';

export type LatLon = { lat: number; lon: number };
export type MapMarker = LatLon & { id: string; label: string; color?: string };
export type MapPolygon = { id: string; ring: LatLon[]; label: string; color?: string; dashed?: boolean };

export interface MapViewProps {
  label: string;
  markers?: MapMarker[];
  polygons?: MapPolygon[];
  center?: LatLon;
  zoom?: number;
  height?: number | string;
  /** Called once with the Leaflet map (for drawing tools); the returned function cleans up. */
  onReady?: (map: L.Map) => void | (() => void);
  onMapClick?: (p: LatLon) => void;
}

const DEFAULT_CENTER: LatLon = { lat: 45.5231, lon: -122.6765 };

export function MapView({ label, markers = [], polygons = [], center, zoom = 14, height = 360, onReady, onMapClick }: MapViewProps) {
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const layerRef = useRef<L.LayerGroup | null>(null);
  const clickRef = useRef(onMapClick);
  clickRef.current = onMapClick;
  const cfg = usePublicConfig();
  const [tilesFailed, setTilesFailed] = useState(false);

  // Create the map once.
  useEffect(() => {
    if (!el.current) return;
    const c = center ?? DEFAULT_CENTER;
    const map = L.map(el.current, { center: [c.lat, c.lon], zoom, attributionControl: true });
    map.attributionControl.setPrefix(false);
    layerRef.current = L.layerGroup().addTo(map);
    map.on('click', (e: L.LeafletMouseEvent) => clickRef.current?.({ lat: e.latlng.lat, lon: e.latlng.lng }));
    mapRef.current = map;
    const cleanup = onReady?.(map);
    return () => {
      if (typeof cleanup === 'function') cleanup();
      map.remove();
      mapRef.current = null;
    };
  }, []);

  // Base imagery, once the public config is known.
  useEffect(() => {
    const map = mapRef.current;
    const url = cfg.data?.mapTileUrl;
    if (!map || !url) return;
    let errors = 0;
    const tiles = L.tileLayer(url, { attribution: cfg.data?.mapAttribution, maxZoom: 19, crossOrigin: false });
    tiles.on('tileerror', () => {
      if (++errors === 3) setTilesFailed(true);
    });
    tiles.addTo(map);
    return () => {
      tiles.remove();
    };
  }, [cfg.data?.mapTileUrl, cfg.data?.mapAttribution]);

  // Shapes; the view fits them whenever they change.
  const key = JSON.stringify([markers, polygons]);
  useEffect(() => {
    const map = mapRef.current;
    const group = layerRef.current;
    if (!map || !group) return;
    group.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const p of polygons) {
      const ring = p.ring.map((q) => L.latLng(q.lat, q.lon));
      L.polygon(ring, { color: p.color ?? '#3b5bdb', weight: 2, dashArray: p.dashed ? '6 4' : undefined, fillOpacity: 0.12 })
        .bindTooltip(p.label)
        .addTo(group);
      ring.forEach((q) => bounds.extend(q));
    }
    for (const m of markers) {
      L.circleMarker([m.lat, m.lon], { radius: 8, color: '#fff', weight: 2, fillColor: m.color ?? '#c2255c', fillOpacity: 1 })
        .bindTooltip(m.label)
        .addTo(group);
      bounds.extend([m.lat, m.lon]);
    }
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 16, animate: false });
  }, [key]);

  const noTiles = cfg.isSuccess && !cfg.data.mapTileUrl;
  return (
    <Box>
      <div
        ref={el}
        role="region"
        aria-label={label}
        style={{ height, width: '100%', borderRadius: 8, background: '#e9ecef', border: '1px solid #ced4da' }}
      />
      {(tilesFailed || noTiles) && (
        <Text size="xs" c="dimmed" mt={4} role="note">
          {noTiles ? 'No base map is configured; shapes are drawn on a plain background.' : 'The base map could not load; shapes still show on a plain background.'}
        </Text>
      )}
    </Box>
  );
}
