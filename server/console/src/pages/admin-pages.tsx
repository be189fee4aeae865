// The pages behind the navigation besides Today and Account. `admin` pages answer a
// teacher with a notice (the server refuses their calls anyway: the console decides nothing).
import type { ReactNode } from 'react';
import type { SessionUser } from '../api.js';
import type { Route } from '../router.js';
import { ClassesPage } from './Classes.js';
import { Kiosks } from './Kiosks.js';
import { StudentsPage } from './Students.js';
import { Users } from './Users.js';
import { Reports } from './Reports.js';
import { Audit } from './Audit.js';
import { Places } from './Places.js';
import { Import } from './Import.js';
import { Calendar } from './Calendar.js';

export interface AdminPage {
  path: string;
  label: string;
  nav: boolean;
  admin: boolean;
  match?: (route: Route) => boolean;
  render(route: Route, user: SessionUser): ReactNode;
}

export const adminPages: AdminPage[] = [
  {
    path: '/classes',
    label: 'Classes',
    nav: false,
    admin: false,
    render: (route) => <ClassesPage route={route} />,
  },
  {
    path: '/students',
    label: 'Students',
    nav: true,
    admin: true,
    render: (route) => <StudentsPage route={route} />,
  },
  { path: '/kiosks', label: 'Kiosks', nav: true, admin: true, render: () => <Kiosks /> },
  { path: '/import', label: 'Import', nav: true, admin: true, render: () => <Import /> },
  {
    path: '/calendar',
    label: 'Calendar',
    nav: true,
    admin: true,
    render: (route) => <Calendar route={route} />,
  },
  { path: '/places', label: 'Sites & rooms', nav: true, admin: true, render: () => <Places /> },
  { path: '/users', label: 'Users', nav: true, admin: true, render: () => <Users /> },
  {
    path: '/reports',
    label: 'Reports',
    nav: true,
    admin: true,
    render: (route) => <Reports route={route} />,
  },
  { path: '/audit', label: 'Audit', nav: true, admin: true, render: (route) => <Audit route={route} /> },
];
