// Remembers the operator's theme choice for a year in a cookie, so that the server prerenders the
// next page (or a reload at 3 a.m.) already dark instead of flashing the light theme first.
export function remember(dark) {
    document.cookie = `oms-theme=${dark ? "dark" : "light"}; path=/; max-age=31536000; samesite=lax`;
}
