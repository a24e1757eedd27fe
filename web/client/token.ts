/**
 * The page's token: from the URL's `?token=` (then removed from the address bar), kept in this
 * tab's `sessionStorage`.
 *
 * @module
 */

/**
 * The token from the URL (then removed from the address bar) or from this tab's session.
 *
 * @returns The token, or `null` when the tab has none.
 */
export function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem("streamlib-token", fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url);
    return fromUrl;
  }
  return sessionStorage.getItem("streamlib-token");
}
