/**
 * A banner across the editor while the server cannot be reached: what a tab shows may be out of date, and Run
 * cannot work. It goes once the WebSocket is back (the runs shown are then refreshed from the server).
 */
import { memo, useEffect, useState } from 'react';
import { useStore } from '../store/createStore';
import { runsStore } from '../store/runs';

/** A first connection gets this long before the banner shows (a page load is not a disconnection). */
const GRACE_MS = 1500;

export const ConnectionBanner = memo(function ConnectionBanner() {
  const connected = useStore(runsStore, (s) => s.connected);
  const [grace, setGrace] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setGrace(false), GRACE_MS);
    return () => clearTimeout(timer);
  }, []);
  if (connected || grace) return null;
  return (
    <div className="conn-banner" role="alert" data-testid="disconnected-banner">
      Lost the connection to the loraflow server: reconnecting… Runs go on on the server if it is still up; what the
      tabs show is brought up to date when the connection is back.
    </div>
  );
});
