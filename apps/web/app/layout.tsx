import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

// Every page renders per request: the CSP nonce (apps/web/proxy.ts) is fresh for each response,
// and a prerendered page would carry scripts without it.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'F-EP Studio', template: '%s · F-EP Studio' },
  description:
    'Explain video action-recognition models with F-EP, extremal perturbation with frequency-modulated gradients (Lin et al., BMVC 2021).',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-white focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:text-indigo-700 focus:shadow"
        >
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
