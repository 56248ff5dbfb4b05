/** Whole years between a YYYY-MM-DD birth date and a YYYY-MM-DD day; null for anything that is not a date. */
export function customerAgeYears(birth_date: string, today: string): number | null {
  const birth = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth_date);
  const now = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!birth || !now) return null;
  let years = Number(now[1]) - Number(birth[1]);
  // Not yet had this year's birthday: compare month-day as text, which sorts like the date.
  if (`${now[2]}-${now[3]}` < `${birth[2]}-${birth[3]}`) years -= 1;
  return years >= 0 ? years : null;
}
