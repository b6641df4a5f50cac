import type { Metadata, Viewport } from 'next';
import './globals.css';

export const metadata: Metadata = {
  title: 'Devussy',
  description: 'Turn a project idea into a design, a phased development plan and a handoff prompt — streamed live.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Sets the saved (or system) theme before first paint, so there is no flash of the wrong theme.
const themeScript = `try{var t=localStorage.getItem('devussy.theme');if(t!=='light'&&t!=='dark'){t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
