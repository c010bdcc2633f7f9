// Response bodies in tests are checked field by field; typing them as any keeps the
// assertions readable.
export async function json(res: Response): Promise<any> {
  return res.json();
}
