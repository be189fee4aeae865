// The console's frame: restores the session from the cookie, shows sign-in (or the
// forgot / set-password pages) when signed out, else the navigation for the user's role and
// the page of the current hash route.
import { useEffect, useState, type ReactNode } from 'react';
import { currentUser, onSessionChange, refreshSession, signOut, type SessionUser } from './api.js';
import { href, navigate, useRoute, type Route } from './router.js';
import { ErrorBox, Loading } from './ui.js';
import { SignIn } from './pages/SignIn.js';
import { Today } from './pages/Today.js';
import { ClassHistory } from './pages/ClassHistory.js';
import { StudentHistory } from './pages/StudentHistory.js';
import { Account } from './pages/Account.js';
import { adminPages, type AdminPage } from './pages/admin-pages.js';

interface NavItem {
  path: string;
  label: string;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { path: '/today', label: 'Today' },
  { path: '/classes', label: 'Classes' },
  ...adminPages.filter((p) => p.nav).map((p: AdminPage) => ({ path: p.path, label: p.label, admin: true })),
  { path: '/account', label: 'Account' },
];

function Shell({ user, route, children }: { user: SessionUser; route: Route; children: ReactNode }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const items = NAV.filter((n) => !n.admin || user.role === 'admin');
  useEffect(() => setMenuOpen(false), [route.path]);
  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('/today')}>
          Rollcall
        </a>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="main-nav" className={`nav${menuOpen ? ' nav--open' : ''}`} aria-label="Main">
          <ul>
            {items.map((n) => (
              <li key={n.path}>
                <a
                  href={href(n.path)}
                  aria-current={route.path.startsWith(n.path) ? 'page' : undefined}
                  data-testid={`nav-${n.path.slice(1)}`}
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar__user">
          <span className="topbar__who" data-testid="signed-in-as">
            {user.name} <span className="muted">({user.role})</span>
          </span>
          <button
            type="button"
            onClick={() => void signOut().then(() => navigate('/signin'))}
            data-testid="sign-out"
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function PageFor({ route, user }: { route: Route; user: SessionUser }) {
  const [first, second, third] = route.parts;
  if (first === 'today' || first === undefined || first === 'signin') return <Today route={route} />;
  if (first === 'classes' && second && third === 'history')
    return <ClassHistory classId={second} route={route} />;
  // Teachers too (the server shows them their own classes' lessons only), so before the admin pages.
  if (first === 'students' && second && third === 'history')
    return <StudentHistory studentId={second} route={route} />;
  if (first === 'account') return <Account />;
  const page = adminPages.find((p) => p.path === `/${first}` || (p.match && p.match(route)));
  if (page) {
    if (page.admin && user.role !== 'admin')
      return <ErrorBox title="Not allowed." error="This page is for admins." />;
    return page.render(route, user);
  }
  return <ErrorBox title="Not found." error={`No page at ${route.path}.`} />;
}

export function App() {
  const route = useRoute();
  const [user, setUser] = useState<SessionUser | null>(currentUser());
  const [restoring, setRestoring] = useState(true);
  const [restoreError, setRestoreError] = useState<Error | null>(null);
  useEffect(() => onSessionChange(setUser), []);
  useEffect(() => {
    refreshSession()
      .catch((err: unknown) => setRestoreError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => setRestoring(false));
  }, []);
  const publicPage = route.parts[0] === 'forgot' || route.parts[0] === 'set-password';
  if (restoring && !publicPage) return <Loading label="Opening the console…" />;
  if (!user || publicPage) {
    return (
      <main id="main" className="signin-main" tabIndex={-1}>
        {restoreError && <ErrorBox title="Could not restore your session." error={restoreError} />}
        <SignIn route={route} />
      </main>
    );
  }
  return (
    <Shell user={user} route={route}>
      <PageFor route={route} user={user} />
    </Shell>
  );
}
