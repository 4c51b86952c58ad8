/** @jest-environment jsdom */
import { fireEvent, render, screen } from '@testing-library/react';
import { ApiProblem } from '@/lib/api-client';
import { ErrorBanner } from './ErrorBanner';

describe('ErrorBanner', () => {
  it('shows the sentence, keeps the api detail one click away, and offers a retry', () => {
    const retry = jest.fn();
    render(<ErrorBanner error={new ApiProblem(404, 'That no longer exists.', 'dataset 123 does not exist')} onRetry={retry} />);
    expect(screen.getByRole('alert').textContent).toContain('That no longer exists.');
    expect(screen.getByText('dataset 123 does not exist')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalled();
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ErrorBanner error={undefined} />);
    expect(container.innerHTML).toBe('');
  });
});
