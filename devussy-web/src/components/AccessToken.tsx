'use client';

import { useState, useSyncExternalStore } from 'react';
import { setAccessToken, subscribeAuth, tokenNeeded } from '@/lib/auth';

/** Shown after the server answered 401: asks for the server's access token (kept for this tab only). */
export function AccessTokenBanner() {
  const needed = useSyncExternalStore(subscribeAuth, tokenNeeded, () => false);
  const [token, setToken] = useState('');
  if (!needed) return null;
  return (
    <form
      className="banner"
      role="alert"
      data-testid="access-token"
      onSubmit={(event) => {
        event.preventDefault();
        if (token.trim()) setAccessToken(token.trim());
        setToken('');
      }}
    >
      <label htmlFor="access-token-input">This server needs an access token. Enter it, then retry the failed step.</label>
      <div className="actions" style={{ marginTop: '0.4rem' }}>
        <input
          id="access-token-input"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          style={{ maxWidth: 360 }}
        />
        <button type="submit" className="primary" disabled={!token.trim()}>
          Use token
        </button>
        <span className="hint">Kept in this tab only; never saved with projects.</span>
      </div>
    </form>
  );
}
