import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

/** Class names, later Tailwind utilities winning over earlier ones (shadcn's cn). */
export function cn(...inputs: ClassValue[]) {
  return twMerge(clsx(inputs));
}
