import { z } from 'zod';
import { Email, Name } from './common.js';

export const Role = z.enum(['admin', 'teacher']);
export type Role = z.infer<typeof Role>;

export const Password = z.string().min(10, 'at least 10 characters').max(200);

export const LoginRequest = z.object({ email: Email, password: z.string().min(1).max(200) });
/** A user changing their own password; `currentPassword` is only compared, so no length rule. */
export const ChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: Password,
});
export const RefreshRequest = z.object({ refreshToken: z.string().min(20).max(200) });
export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: Role }),
});

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof User>;
export const CreateUserRequest = z.object({
  email: Email,
  name: Name,
  role: Role.default('teacher'),
  password: Password,
});
export const UpdateUserRequest = z.object({
  name: Name.optional(),
  role: Role.optional(),
  /** Disabling, a role change or a new password ends the user's sessions at once (access and refresh tokens). */
  disabled: z.boolean().optional(),
  password: Password.optional(),
});
