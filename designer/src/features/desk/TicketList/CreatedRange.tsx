import { DatePicker } from 'antd';
import dayjs from 'dayjs';

/**
 * The list's created-range filter. Its own module, loaded when the filters are first opened: the
 * date picker is a large part of antd that the desk's first screen does not need.
 */
export default function CreatedRange({
  label,
  after,
  before,
  onChange,
}: {
  label: string;
  after: string | undefined;
  before: string | undefined;
  onChange: (range: { createdAfter: string | undefined; createdBefore: string | undefined }) => void;
}) {
  return (
    <DatePicker.RangePicker
      aria-label={label}
      value={[after ? dayjs(after) : null, before ? dayjs(before) : null]}
      onChange={(range) =>
        onChange({
          createdAfter: range?.[0]?.startOf('day').toISOString(),
          createdBefore: range?.[1]?.endOf('day').toISOString(),
        })
      }
    />
  );
}
