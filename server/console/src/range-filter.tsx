// The "From … To … Show" form above a report (Reports, a class's history, a student's history):
// it checks the range as the server will (RangeQuery) and puts it in the page's address, so the
// range survives a reload and a shared link. Until the admin types, the fields show the range the
// server answered for (its default: the last 30 days).
import { useState } from 'react';
import { RangeQuery } from '../../src/reports/schemas.js';
import { useSubmit } from './forms.js';
import { navigate } from './router.js';
import { DateField, FormError } from './ui.js';

export interface DateRange {
  from?: string | undefined;
  to?: string | undefined;
}

export function RangeFilter({
  path,
  asked,
  answered,
  testIdPrefix,
}: {
  /** The page's route: the range is written into its query. */
  path: string;
  /** The range in the address now (what was asked for). */
  asked: DateRange;
  /** The range of the report shown, once loaded. */
  answered: DateRange | null | undefined;
  /** `${prefix}-from` / `${prefix}-to` test ids of the fields. */
  testIdPrefix?: string;
}) {
  const [fromInput, setFrom] = useState(asked.from ?? '');
  const [toInput, setTo] = useState(asked.to ?? '');
  const f = useSubmit();
  return (
    <form
      className="filters"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const v = { from: fromInput || undefined, to: toInput || undefined };
        void f.run(RangeQuery, v, async () => navigate(path, v));
      }}
    >
      <FormError errors={f.errors} />
      <DateField
        label="From"
        error={f.errors.from}
        value={fromInput || answered?.from || ''}
        onChange={setFrom}
        {...(testIdPrefix !== undefined ? { testId: `${testIdPrefix}-from` } : {})}
      />
      <DateField
        label="To"
        error={f.errors.to}
        value={toInput || answered?.to || ''}
        onChange={setTo}
        {...(testIdPrefix !== undefined ? { testId: `${testIdPrefix}-to` } : {})}
      />
      <button type="submit">Show</button>
    </form>
  );
}
