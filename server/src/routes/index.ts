// The core route plugins, in registration order. Extensions (reports, notifications,
// metrics) either add themselves here or are passed to buildApp({ plugins }).
import admin from './admin.js';
import attendance from './attendance.js';
import auth from './auth.js';
import calendar from './calendar.js';
import classes from './classes.js';
import devices from './devices.js';
import health from './health.js';
import importRoutes from '../import/routes.js';
import sessions from './sessions.js';
import sites from './sites.js';
import students from './students.js';
import studentPhotos from './student-photos.js';
import templates from './templates.js';
import sync from './sync.js';
import type { RoutePlugin } from './types.js';
import users from './users.js';

export const coreRoutes: readonly RoutePlugin[] = [
  health,
  auth,
  users,
  sites,
  students,
  studentPhotos,
  templates,
  classes,
  calendar,
  importRoutes,
  devices,
  sync,
  attendance,
  sessions,
  admin,
];
