// The pages behind the navigation besides Today and Account. `admin` pages answer a
// teacher with a notice (the server refuses their calls anyway: the console decides nothing).
import type { ReactNode } from 'react';
import type { SessionUser } from '../api';
import type { Route } from '../router';
import { ClassesPage } from './Classes';
import { Kiosks } from './Kiosks';

export interface AdminPage {
  path: string;
  label: string;
  nav: boolean;
  admin: boolean;
  match?: (route: Route) => boolean;
  render(route: Route, user: SessionUser): ReactNode;
}

export const adminPages: AdminPage[] = [
  { path: '/classes', label: 'Classes', nav: false, admin: false, render: (route) => <ClassesPage route={route} /> },
  { path: '/kiosks', label: 'Kiosks', nav: true, admin: true, render: () => <Kiosks /> },
];
