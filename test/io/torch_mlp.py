# Writes a small PyTorch MLP's state_dict as .safetensors (the format written by hand: 8-byte header
# length, JSON header, little-endian tensor bytes), its data as .npy (one sample per row), and PyTorch's
# float64 Hessian of the loss 1/(2n) sum_i ||f(x_i) - y_i||^2 with respect to the flat parameters in
# state_dict order, with its eigenvalues. Used by torch-roundtrip.test.ts:  python3 torch_mlp.py <out dir>
import json, struct, sys
import numpy as np
import torch

out = sys.argv[1]
torch.manual_seed(0)
widths, n = [3, 5, 2], 7

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])

net = Net()

def write_safetensors(path, tensors, dtype):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().cpu().contiguous().numpy().astype("<f4" if dtype == "F32" else "<f8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))

state = net.state_dict()  # trained-elsewhere weights arrive in float32
write_safetensors(f"{out}/mlp.safetensors", state, "F32")
# The float64 model holds exactly the float32 values (widening is exact).
params = [state[k].double() for k in state]
X = torch.randn(n, widths[0], dtype=torch.float64)  # one sample per row, as PyTorch keeps data
Y = torch.randn(n, widths[-1], dtype=torch.float64)
np.save(f"{out}/X.npy", X.numpy())
np.save(f"{out}/Y.npy", Y.numpy())
shapes = [p.shape for p in params]
sizes = [p.numel() for p in params]

def loss(flat):
    ps, at = [], 0
    for s, k in zip(shapes, sizes):
        ps.append(flat[at:at + k].reshape(s))
        at += k
    h = X
    for l in range(len(ps) // 2):
        h = h @ ps[2 * l].T + ps[2 * l + 1]
        if l < len(ps) // 2 - 1:
            h = torch.tanh(h)
    return 0.5 * ((h - Y) ** 2).sum() / n

flat = torch.cat([p.reshape(-1) for p in params])
H = torch.autograd.functional.hessian(loss, flat)
json.dump({"names": list(state.keys()), "hessian": H.tolist(), "eigenvalues": torch.linalg.eigvalsh(H).tolist(), "loss": loss(flat).item()},
          open(f"{out}/torch.json", "w"))
