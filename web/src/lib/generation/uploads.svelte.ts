// Reference images on the create page: each chosen file is shown at once (from the file
// itself, before it leaves the device), uploaded to /api/assets with its progress, and
// given a role the chosen model accepts.
import { browserApi } from '../api/browser.ts';
import { uploadFile } from '../retention/upload.ts';
import type { InputRole } from '../../../../domain/models.ts';

export interface ReferenceImage {
  /** Stable key for the list. */
  key: string;
  name: string;
  /** A blob: URL of the local file, for the preview; null for an image carried over from an earlier job. */
  previewUrl: string | null;
  /** Set once stored. */
  assetId: string | null;
  /** 0..1 while uploading. */
  progress: number;
  role: InputRole;
  error: string | null;
  /** Uploaded from this form (so removing it also deletes the stored copy). */
  uploadedHere: boolean;
}

let counter = 0;

export class ReferenceImages {
  items = $state<ReferenceImage[]>([]);

  constructor(initial: { assetId: string; role: InputRole }[] = []) {
    this.items = initial.map((input) => ({
      key: `carried-${counter++}`,
      name: 'Image from the earlier video',
      previewUrl: null,
      assetId: input.assetId,
      progress: 1,
      role: input.role,
      error: null,
      uploadedHere: false,
    }));
  }

  get uploading(): boolean {
    return this.items.some((i) => !i.assetId && !i.error);
  }

  get ready() {
    return this.items.filter((i) => i.assetId && !i.error) as (ReferenceImage & { assetId: string })[];
  }

  /** The role a new image takes: the first role the model offers that no image has yet. */
  nextRole(roles: readonly InputRole[]): InputRole {
    const taken = this.items.map((i) => i.role);
    return roles.find((r) => r === 'reference' || !taken.includes(r)) ?? roles[0] ?? 'reference';
  }

  async add(file: File, role: InputRole, csrfToken: () => Promise<string>): Promise<boolean> {
    const item: ReferenceImage = {
      key: `upload-${counter++}`,
      name: file.name,
      previewUrl: URL.createObjectURL(file),
      assetId: null,
      progress: 0,
      role,
      error: null,
      uploadedHere: true,
    };
    this.items.push(item);
    const find = () => this.items.find((i) => i.key === item.key);
    const result = await uploadFile(file, await csrfToken(), (fraction) => {
      const current = find();
      if (current) current.progress = fraction;
    });
    const current = find();
    if (!current) {
      // Removed while uploading: nothing of it should stay.
      if (result.ok) void browserApi.retention.deleteAsset(result.asset.id, await csrfToken());
      return false;
    }
    if (result.ok) {
      current.assetId = result.asset.id;
      current.progress = 1;
      return true;
    }
    current.error = result.message;
    return false;
  }

  async remove(key: string, csrfToken: () => Promise<string>): Promise<void> {
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    this.items = this.items.filter((i) => i.key !== key);
    if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    // An image uploaded just for this video is deleted at once when it is taken out (R-IN-EARLY).
    if (item.uploadedHere && item.assetId)
      await browserApi.retention.deleteAsset(item.assetId, await csrfToken());
  }

  dispose(): void {
    for (const item of this.items) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
  }
}
