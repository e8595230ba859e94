// A map for drawing one request polygon with Leaflet-Geoman. Only the agency
// surface imports this, so the drawing library stays out of the public bundle.
// Drawing is a pointer task; the request form also offers a keyboard route
// (centre and radius), and the polygon's area and checks are always shown as text.
import '@geoman-io/leaflet-geoman-free';
import '@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css';
import L from 'leaflet';
import { useCallback, useEffect, useRef } from 'react';
import { MapView, type LatLon, type MapPolygon } from './MapView';

// Edits report while a corner or the shape is dragged, not only when the drag ends.
const LIVE_EVENTS = 'pm:edit pm:markerdrag pm:markerdragend pm:drag pm:dragend';

export function DrawAreaMap({ ring, onChange, context = [], center, label }: {
  ring: LatLon[];
  onChange: (ring: LatLon[]) => void;
  context?: MapPolygon[];
  center?: LatLon;
  label: string;
}) {
  const mapRef = useRef<L.Map | null>(null);
  const drawn = useRef<L.Polygon | null>(null);
  // Rings the map itself reported; the effect below only redraws rings set from outside (centre and radius).
  const reported = useRef('');
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const change = useRef((r: LatLon[]) => {
    reported.current = JSON.stringify(r);
    onChangeRef.current(r);
  });

  const read = (layer: L.Polygon): LatLon[] => {
    const lls = layer.getLatLngs()[0] as L.LatLng[];
    return lls.map((p) => ({ lat: p.lat, lon: p.lng }));
  };

  const onReady = useCallback((map: L.Map) => {
    mapRef.current = map;
    map.pm.addControls({
      position: 'topleft',
      drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawRectangle: true, drawPolygon: true,
      drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false, dragMode: true, editMode: true, removalMode: true,
    });
    // Geoman's toolbar buttons are empty links titled on their parent; give each its name (WCAG 4.1.2).
    map.getContainer().querySelectorAll<HTMLElement>('.button-container[title]').forEach((div) => {
      div.querySelector('a')?.setAttribute('aria-label', div.title);
    });
    map.on('pm:create', (e: { layer: L.Layer }) => {
      // One area per request: a new drawing replaces the old one.
      if (drawn.current && drawn.current !== e.layer) drawn.current.remove();
      const layer = e.layer as L.Polygon;
      drawn.current = layer;
      const update = () => change.current(read(layer));
      layer.on(LIVE_EVENTS, update);
      update();
    });
    // While a polygon is being drawn, report it from its third corner on, so the area shows live.
    map.on('pm:drawstart', (e: { workingLayer?: L.Layer }) => {
      const working = e.workingLayer as L.Polyline | undefined;
      working?.on('pm:vertexadded', () => {
        const pts = (working.getLatLngs() as L.LatLng[]).map((p) => ({ lat: p.lat, lon: p.lng }));
        if (pts.length >= 3) change.current(pts);
      });
    });
    map.on('pm:remove', () => {
      drawn.current = null;
      change.current([]);
    });
  }, []);

  // A ring set from outside (centre and radius) replaces whatever was drawn.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    if (JSON.stringify(ring) === reported.current) return;
    drawn.current?.remove();
    drawn.current = null;
    if (ring.length >= 3) {
      const layer = L.polygon(ring.map((p) => [p.lat, p.lon] as [number, number]), { color: '#c2255c' }).addTo(map);
      drawn.current = layer;
      layer.on(LIVE_EVENTS, () => change.current(read(layer)));
      map.fitBounds(layer.getBounds().pad(0.3), { animate: false });
    }
  }, [ring]);

  return <MapView label={label} polygons={context} center={center} height={420} onReady={onReady} />;
}
