'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const links = [
  { href: '/datasets', label: 'Datasets' },
  { href: '/jobs', label: 'Runs' },
  { href: '/predict', label: 'Try it' },
];

export function Nav() {
  const path = usePathname();
  if (path.startsWith('/login')) return null;
  return (
    <header className="topbar">
      <Link href="/datasets" className="brand">Tern</Link>
      <nav aria-label="Main">
        <ul>
          {links.map((l) => (
            <li key={l.href}>
              <Link href={l.href} aria-current={path.startsWith(l.href) ? 'page' : undefined}>{l.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <form action="/api/session/logout" method="post">
        <button type="submit" className="link-button">Sign out</button>
      </form>
    </header>
  );
}
